namespace CareRegistry.Common;

// Wire values are kebab-case (see Json.cs): ElderlyCare <-> "elderly-care".
public enum Department { CivilAffairs, Health, MedicalInsurance }

// Community facilities are institutions of their own kinds: 社区养老服务中心 and 站, 日间照料中心, 农村幸福院 (rural
// mutual-aid homes and points). Any non-medical kind holding an elderly-care permit counts as a 养老机构.
public enum InstitutionKind { ElderlyCare, Medical, CommunityCareCentre, CommunityCareStation, DayCareCentre, RuralMutualAidHome }

public enum MedicalSubtype
{
    GeneralHospital, GeriatricHospital, RehabilitationHospital, NursingHome, Hospice,
    CommunityHealthCentre, TownshipHealthCentre, Clinic, InternalClinic, NursingStation
}

public enum Ownership { Public, Private, PublicBuiltPrivateOperated }

public enum Role { Officer, Inspector, Auditor, Admin }
