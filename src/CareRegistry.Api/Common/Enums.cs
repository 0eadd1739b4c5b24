namespace CareRegistry.Common;

// Wire values are kebab-case (see Json.cs): ElderlyCare <-> "elderly-care".
public enum Department { CivilAffairs, Health, MedicalInsurance }

public enum InstitutionKind { ElderlyCare, Medical, CommunityCareCentre }

public enum MedicalSubtype
{
    GeneralHospital, GeriatricHospital, RehabilitationHospital, NursingHome, Hospice,
    CommunityHealthCentre, TownshipHealthCentre, Clinic, InternalClinic, NursingStation
}

public enum Ownership { Public, Private, PublicBuiltPrivateOperated }

public enum Role { Officer, Inspector, Auditor, Admin }
